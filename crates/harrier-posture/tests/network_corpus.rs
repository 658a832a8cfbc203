//! Exposure and NetworkPolicy coverage over the shared corpus: the labels of the checkov graph
//! checks (`expected.yaml`) and of the regolibrary rules about exposure and network policies
//! (`expected.json`), and real projects whose answers were worked out by reading their
//! manifests (each test says how).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use harrier_core::testing::corpus_path;
use harrier_core::yaml::{Node, Schema, parse_single};
use harrier_k8s::{LoadOptions, ObjectIndex, load};
use harrier_posture::exposure::{self, Exposure, RouteKind};
use harrier_posture::netpol::{self, Coverage, Direction, without_default_deny};

fn corpus(relative: &str) -> Option<PathBuf> {
    corpus_path(env!("CARGO_MANIFEST_DIR"), &format!("manifests/{relative}"))
}

fn index(paths: &[PathBuf]) -> ObjectIndex {
    let loaded = load(paths, &LoadOptions::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    ObjectIndex::build(loaded.objects).0
}

/// `Kind/name` of every externally exposed workload.
fn exposed(e: &Exposure) -> BTreeSet<String> {
    e.workloads
        .iter()
        .map(|w| format!("{}/{}", w.resource.kind, w.resource.name))
        .collect()
}

/// `Kind/name route-kind severity` of every external route.
fn routes(e: &Exposure) -> Vec<String> {
    e.workloads
        .iter()
        .flat_map(|w| {
            w.routes.iter().map(move |r| {
                format!(
                    "{}/{} {} {}",
                    w.resource.kind, w.resource.name, r.kind, r.severity
                )
            })
        })
        .collect()
}

fn names<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    items.collect()
}

/// checkov's PodIsPubliclyAccessibleExample: the Pod labelled `app: nginx-pod` (checkov names
/// it `app-nginx-pod`; the manifest has no `metadata.name`) is behind LoadBalancer
/// `my-service`; the Pod labelled `no-service-attached` is selected by no Service.
#[test]
fn checkov_pod_is_publicly_accessible() {
    let Some(dir) = corpus(
        "insecure/checkov/tests/kubernetes/graph/checks/resources/PodIsPubliclyAccessibleExample",
    ) else {
        return;
    };
    let expected = parse_single(
        &std::fs::read_to_string(dir.join("expected.yaml")).unwrap(),
        Schema::Core,
    )
    .unwrap();
    let list = |key: &str| -> Vec<String> {
        expected
            .get(key)
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(list("fail"), ["Pod.default.app-nginx-pod"]);
    assert_eq!(list("pass"), ["Pod.default.app-no-service-attached"]);
    let index = index(&[dir]);
    let e = exposure::analyse(&index);
    // checkov's ids are `Kind.namespace.app-<label>`: match on the pods' `app` label.
    let exposed_apps: Vec<String> = e
        .workloads
        .iter()
        .filter_map(|w| w.workload(&index))
        .filter_map(|w| w.labels().get("app"))
        .map(|app| format!("Pod.default.app-{app}"))
        .collect();
    assert_eq!(exposed_apps, list("fail"));
    assert_eq!(routes(&e), ["Pod/<unnamed> load-balancer high"]);
    let route = &e.workloads[0].routes[0];
    assert_eq!(route.hosts, ["192.0.2.127"]);
    assert_eq!(route.ports[0].container_port, Some(9376));
    assert!(
        route.evidence[0]
            .location
            .path
            .ends_with("Failing/Service.yaml")
    );
}

/// checkov's RequireAllPodsToHaveNetworkPolicy: `test-network-policy` selects the
/// internal-proxy Deployment (ingress and egress), nothing selects the external-proxy one.
#[test]
fn checkov_require_all_pods_to_have_network_policy() {
    let Some(dir) = corpus(
        "insecure/checkov/tests/kubernetes/graph/checks/resources/RequireAllPodsToHaveNetworkPolicy",
    ) else {
        return;
    };
    let expected = std::fs::read_to_string(dir.join("expected.yaml")).unwrap();
    assert!(expected.contains("'Pod.default.internal-proxy-deployment.app-internal-proxy'"));
    assert!(expected.contains("'Pod.default.external-proxy-deployment.app-external-proxy'"));
    let c = netpol::analyse(&index(&[dir]));
    let unselected = names(
        c.workloads
            .iter()
            .filter(|w| w.is_unselected())
            .map(|w| w.resource.name.as_str()),
    );
    assert_eq!(unselected, ["external-proxy-deployment"]);
    let internal = c
        .workloads
        .iter()
        .find(|w| w.resource.name == "internal-proxy-deployment")
        .unwrap();
    assert!(internal.ingress_isolated && internal.egress_isolated);
    assert_eq!(internal.policies[0].resource.name, "test-network-policy");
}

/// The regolibrary cases of one rule: `(case name, objects the rule alerts on as Kind/name)`.
fn regolibrary_cases(rule: &str) -> Option<Vec<(String, PathBuf, BTreeSet<String>)>> {
    let root = corpus(&format!("insecure/regolibrary-rule-tests/{rule}/test"))?;
    let mut cases = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for case in dirs {
        let text = std::fs::read_to_string(case.join("expected.json")).unwrap();
        let expected = parse_single(&text, Schema::Core).unwrap();
        let mut objects = BTreeSet::new();
        for alert in expected.as_seq().unwrap_or_default() {
            for o in alert
                .get_path("alertObject.k8sApiObjects")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                let kind = o.get("kind").and_then(Node::as_str).unwrap();
                let name = o.get_path("metadata.name").and_then(Node::as_str).unwrap();
                objects.insert(format!("{kind}/{name}"));
            }
        }
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        cases.push((name, case.join("input"), objects));
    }
    Some(cases)
}

fn case_index(input: &Path) -> ObjectIndex {
    index(&[input.to_path_buf()])
}

/// regolibrary `exposure-to-internet`: the workloads behind a NodePort or LoadBalancer Service
/// or an Ingress are exactly the ones the rule alerts on; in `success_with_ingress` the
/// Ingress's Service selects no pod.
#[test]
fn regolibrary_exposure_to_internet() {
    let Some(cases) = regolibrary_cases("exposure-to-internet") else {
        return;
    };
    assert_eq!(cases.len(), 5);
    for (name, input, expected) in cases {
        let e = exposure::analyse(&case_index(&input));
        assert_eq!(exposed(&e), expected, "case {name}: {:#?}", e.workloads);
    }
}

/// regolibrary `exposure-to-internet-via-gateway-api`: every case attaches an HTTPRoute to a
/// Gateway that is not among the inputs (reported as a problem, and taken as exposed) and
/// sends it to the Service of the alerted Deployment.
#[test]
fn regolibrary_exposure_via_gateway_api() {
    let Some(cases) = regolibrary_cases("exposure-to-internet-via-gateway-api") else {
        return;
    };
    assert_eq!(cases.len(), 4);
    for (name, input, expected) in cases {
        let e = exposure::analyse(&case_index(&input));
        assert_eq!(exposed(&e), expected, "case {name}: {:#?}", e.workloads);
        assert!(
            e.workloads
                .iter()
                .all(|w| w.routes.iter().all(|r| r.kind == RouteKind::Gateway)),
            "case {name}"
        );
        assert!(
            e.problems
                .iter()
                .all(|p| p.message.contains("not among the inputs")),
            "case {name}: {:?}",
            e.problems
        );
    }
}

/// regolibrary `host-network-access`: the alerted workload of each case is a hostNetwork one.
#[test]
fn regolibrary_host_network_access() {
    let Some(cases) = regolibrary_cases("host-network-access") else {
        return;
    };
    assert_eq!(cases.len(), 3);
    for (name, input, expected) in cases {
        let e = exposure::analyse(&case_index(&input));
        let host: BTreeSet<String> = e
            .workloads
            .iter()
            .filter(|w| w.routes.iter().any(|r| r.kind == RouteKind::HostNetwork))
            .map(|w| format!("{}/{}", w.resource.kind, w.resource.name))
            .collect();
        assert_eq!(host, expected, "case {name}");
    }
}

/// regolibrary `ensure_network_policy_configured_in_labels`: the alerted workloads are the
/// ones no policy (Kubernetes, Cilium namespaced or cluster-wide) selects.
#[test]
fn regolibrary_network_policy_configured_in_labels() {
    let Some(cases) = regolibrary_cases("ensure_network_policy_configured_in_labels") else {
        return;
    };
    assert_eq!(cases.len(), 16);
    for (name, input, expected) in cases {
        let c = netpol::analyse(&case_index(&input));
        let unselected: BTreeSet<String> = c
            .workloads
            .iter()
            .filter(|w| w.is_unselected())
            .map(|w| format!("{}/{}", w.resource.kind, w.resource.name))
            .collect();
        assert_eq!(unselected, expected, "case {name}");
    }
}

fn policy_names(c: &Coverage, workload: &str) -> Vec<String> {
    c.workloads
        .iter()
        .find(|w| w.resource.name == workload)
        .map(|w| w.policies.iter().map(|p| p.resource.name.clone()).collect())
        .unwrap_or_default()
}

/// sock-shop's manifests with its policies (manifests-policy/): 14 Deployments, 13
/// NetworkPolicies. `cortex-access` has `podSelector: {matchLabels: null}`, which selects every
/// pod of `sock-shop`, and an ingress rule, so every workload's ingress is isolated; no policy
/// has egress rules or types, so no egress is. `cart-access` selects `name: cart` but the
/// Deployment is labelled `name: carts`, so `carts` has `cortex-access` only. No policy is a
/// default deny (the namespace's `net.beta.kubernetes.io/network-policy` annotation is the
/// pre-NetworkPolicy API, ignored since Kubernetes 1.7). `front-end-access` allows ingress from
/// every source on port 8079.
#[test]
fn sock_shop_policies() {
    let (Some(manifests), Some(policies)) = (
        corpus("realworld/sock-shop/deploy/kubernetes/manifests"),
        corpus("realworld/sock-shop/deploy/kubernetes/manifests-policy"),
    ) else {
        return;
    };
    let c = netpol::analyse(&index(&[manifests, policies]));
    assert_eq!(c.workloads.len(), 14);
    assert!(c.workloads.iter().all(|w| w.ingress_isolated));
    assert!(c.workloads.iter().all(|w| !w.egress_isolated));
    assert_eq!(policy_names(&c, "carts"), ["cortex-access"]);
    assert_eq!(
        policy_names(&c, "carts-db"),
        ["carts-db-access", "cortex-access"]
    );
    assert_eq!(c.namespaces.len(), 1);
    assert_eq!(c.namespaces[0].namespace, "sock-shop");
    assert_eq!(c.namespaces[0].policies, 13);
    assert!(c.namespaces[0].default_deny_ingress.is_none());
    assert!(c.namespaces[0].default_deny_egress.is_none());
    assert_eq!(c.allow_all.len(), 1);
    let open = &c.allow_all[0];
    assert_eq!(open.policy.resource.name, "front-end-access");
    assert_eq!(open.direction, Direction::Ingress);
    assert_eq!(open.field, "spec.ingress[0]");
    assert_eq!(open.ports.as_deref(), Some("8079/TCP"));
    assert_eq!(open.location.line, 12);
    assert!(c.problems.is_empty(), "{:?}", c.problems);

    // complete-demo.yaml has the workloads without any policy.
    let Some(demo) = corpus("realworld/sock-shop/deploy/kubernetes/complete-demo.yaml") else {
        return;
    };
    let c = netpol::analyse(&index(&[demo]));
    assert_eq!(c.workloads.len(), 14);
    assert!(c.workloads.iter().all(|w| w.is_unselected()));
}

/// Argo CD's install.yaml: seven workloads, each selected by its own ingress-only policy (no
/// egress isolation, no default deny; the objects have no namespace, so `default`);
/// `argocd-server-network-policy`'s rule `{}` (line 34411) allows every source. The
/// `namespaceSelector: {}` rules of the other policies admit every pod of the cluster, not
/// every source, and are not reported as allow-all.
#[test]
fn argo_cd_policies() {
    let Some(install) = corpus("realworld/argo-cd/manifests/install.yaml") else {
        return;
    };
    let c = netpol::analyse(&index(&[install]));
    assert_eq!(c.workloads.len(), 7);
    for w in &c.workloads {
        assert!(w.ingress_isolated && !w.egress_isolated, "{}", w.resource);
        assert_eq!(
            policy_names(&c, &w.resource.name),
            [format!("{}-network-policy", w.resource.name)]
        );
    }
    assert_eq!(c.namespaces.len(), 1);
    assert_eq!(c.namespaces[0].policies, 7);
    assert_eq!(
        without_default_deny(&c, Direction::Ingress),
        BTreeSet::from(["default"])
    );
    let open: Vec<(&str, &str, u32)> = c
        .allow_all
        .iter()
        .map(|a| {
            (
                a.policy.resource.name.as_str(),
                a.field.as_str(),
                a.location.line,
            )
        })
        .collect();
    assert_eq!(
        open,
        [("argocd-server-network-policy", "spec.ingress[0]", 34411)]
    );
    // None of Argo CD's Services is exposed outside the cluster; all seven workloads have one.
    let e = exposure::analyse(&index(&[corpus(
        "realworld/argo-cd/manifests/install.yaml",
    )
    .unwrap()]));
    assert!(e.workloads.is_empty());
    assert_eq!(e.internal.len(), 7);
}

/// kube-prometheus: six workloads in `monitoring` (five Deployments and the node-exporter
/// DaemonSet; Alertmanager and Prometheus are custom resources), eight policies, each selecting
/// its component for ingress and egress with an egress rule `{}` (8 allow-all rules) and, for
/// prometheus-adapter, an ingress rule `{}` too (a 9th). node-exporter runs with
/// `hostNetwork: true`, where policies do not apply.
#[test]
fn kube_prometheus_policies() {
    let Some(dir) = corpus("realworld/kube-prometheus/manifests") else {
        return;
    };
    let c = netpol::analyse(&index(&[dir]));
    let unisolated = names(
        c.workloads
            .iter()
            .filter(|w| !w.ingress_isolated)
            .map(|w| w.resource.name.as_str()),
    );
    assert_eq!(c.workloads.len(), 6);
    assert_eq!(unisolated, ["node-exporter"]);
    assert!(c.workloads.iter().all(|w| w.policies.len() == 1));
    assert_eq!(c.namespaces.len(), 1);
    assert_eq!(c.namespaces[0].policies, 8);
    assert_eq!(c.allow_all.len(), 9);
    assert_eq!(
        c.allow_all
            .iter()
            .filter(|a| a.direction == Direction::Egress)
            .count(),
        8
    );
    let ingress: Vec<&str> = c
        .allow_all
        .iter()
        .filter(|a| a.direction == Direction::Ingress)
        .map(|a| a.policy.resource.name.as_str())
        .collect();
    assert_eq!(ingress, ["prometheus-adapter"]);
}

/// ingress-nginx: the cloud provider's LoadBalancer Service `ingress-nginx-controller` reaches
/// the controller's `http` and `https` container ports from any address; the kind variant
/// adds the controller's host ports 80 and 443; bare metal uses a NodePort instead.
#[test]
fn ingress_nginx() {
    let provider = |p: &str| {
        corpus(&format!(
            "realworld/ingress-nginx/deploy/static/provider/{p}/deploy.yaml"
        ))
    };
    let (Some(cloud), Some(kind), Some(baremetal)) =
        (provider("cloud"), provider("kind"), provider("baremetal"))
    else {
        return;
    };
    let e = exposure::analyse(&index(&[cloud]));
    assert_eq!(
        routes(&e),
        ["Deployment/ingress-nginx-controller load-balancer high"]
    );
    let ports: Vec<(Option<i32>, Option<i32>)> = e.workloads[0].routes[0]
        .ports
        .iter()
        .map(|p| (p.port, p.container_port))
        .collect();
    assert_eq!(ports, [(Some(80), Some(80)), (Some(443), Some(443))]);
    // The controller is reached inside the cluster through both its Services (the second is
    // the admission webhook's, on 8443).
    assert_eq!(e.internal.len(), 1);
    assert_eq!(e.internal[0].routes.len(), 2);

    let e = exposure::analyse(&index(&[kind]));
    assert_eq!(
        routes(&e),
        [
            "Deployment/ingress-nginx-controller load-balancer high",
            "Deployment/ingress-nginx-controller host-port medium",
            "Deployment/ingress-nginx-controller host-port medium",
        ]
    );
    let e = exposure::analyse(&index(&[baremetal]));
    assert_eq!(
        routes(&e),
        ["Deployment/ingress-nginx-controller node-port medium"]
    );
}

/// Kubernetes Goat: scenario 8 ("NodePort exposed services") has the player find the NodePort
/// its guide connects to (`nc -zv EXTERNAL-IP-ADDRESS 30003`): `internal-proxy-info-app-service`,
/// a NodePort (30003) to the info-app container of `internal-proxy-deployment`; and `docker-bench-security` runs with
/// `hostNetwork: true`; its eight Services make eight workloads reachable inside the cluster.
/// The metadata-db chart is not rendered, so it is loaded without its templates.
#[test]
fn kubernetes_goat() {
    let Some(scenarios) = corpus("insecure/kubernetes-goat/scenarios") else {
        return;
    };
    let files: Vec<PathBuf> = std::fs::read_dir(&scenarios)
        .unwrap()
        .map(|e| e.unwrap().path().join("deployment.yaml"))
        .filter(|p| p.is_file())
        .collect();
    let e = exposure::analyse(&index(&files));
    assert_eq!(
        routes(&e),
        [
            "DaemonSet/docker-bench-security host-network medium",
            "Deployment/internal-proxy-deployment node-port medium",
        ]
    );
    let node_port = &e.workloads[1].routes[0].ports[0];
    let guide = corpus("insecure/kubernetes-goat/guide/docs/scenarios/scenario-8/scenario-8.md")
        .map(|p| std::fs::read_to_string(p).unwrap());
    if let Some(guide) = guide {
        let port: i32 = guide
            .lines()
            .find_map(|l| l.trim().strip_prefix("nc -zv EXTERNAL-IP-ADDRESS "))
            .and_then(|p| p.trim().parse().ok())
            .expect("the guide names the NodePort");
        assert_eq!(node_port.node_port, Some(port));
    }
    assert_eq!(node_port.node_port, Some(30003));
    assert_eq!(node_port.container.as_deref(), Some("info-app"));
    assert_eq!(node_port.container_port, Some(5000));
    assert_eq!(e.internal.len(), 8);
}

/// kubernetes/examples guestbook: `frontend` is a NodePort Service (its manifest keeps
/// `type: LoadBalancer` as a comment) to the php-redis container; guestbook-go's `guestbook`
/// is a LoadBalancer whose named `targetPort: http-server` is container port 3000.
#[test]
fn guestbook() {
    let (Some(dir), Some(go)) = (
        corpus("realworld/kubernetes-examples/web/guestbook"),
        corpus("realworld/kubernetes-examples/web/guestbook-go"),
    ) else {
        return;
    };
    let files = [
        "frontend-deployment.yaml",
        "frontend-service.yaml",
        "redis-master-deployment.yaml",
        "redis-master-service.yaml",
        "redis-replica-deployment.yaml",
        "redis-replica-service.yaml",
    ];
    let e = exposure::analyse(&index(&files.map(|f| dir.join(f))));
    assert_eq!(routes(&e), ["Deployment/frontend node-port medium"]);
    assert_eq!(
        e.workloads[0].routes[0].ports[0].container.as_deref(),
        Some("php-redis")
    );
    assert_eq!(e.internal.len(), 3);

    let e = exposure::analyse(&index(&[go]));
    assert_eq!(
        routes(&e),
        ["ReplicationController/guestbook load-balancer high"]
    );
    assert_eq!(e.workloads[0].routes[0].ports[0].container_port, Some(3000));
}
