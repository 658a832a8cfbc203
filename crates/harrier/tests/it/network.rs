//! `harrier network exposure` and `harrier network policies` over manifests.

use harrier_core::testing::corpus_path;
use serde_json::Value;

use crate::util::Dir;

const OBJECTS: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api, ports: [{containerPort: 9000}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {type: NodePort, selector: {app: api}, ports: [{port: 80, targetPort: 9000, nodePort: 30080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: gone, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-in, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: 8080}]}]
"#;

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).expect("JSON output")
}

#[test]
fn exposure_table_is_sorted_by_severity_and_warns_about_problems() {
    let dir = Dir::new();
    dir.write("shop.yaml", OBJECTS);
    let run = dir.run(&["network", "exposure", "-f", "shop.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("SEVERITY"), "{}", run.stdout);
    assert!(
        lines[1].starts_with("high      shop       Deployment/web  load-balancer  shop.yaml:29  "),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("medium    shop       Deployment/api  node-port      shop.yaml:24  "),
        "{}",
        lines[2]
    );
    assert!(
        lines[2].contains("NodePort Service `api`, on every node's addresses, 80/TCP (node port 30080) → api:9000 → Deployment `api`"),
        "{}",
        lines[2]
    );
    assert_eq!(
        lines.last().copied(),
        Some(
            "2 workload(s) reachable from outside the cluster through 2 route(s) (1 high, 1 medium, 0 low); 2 reachable through a Service inside the cluster."
        )
    );
    assert!(
        run.stderr.contains("shop.yaml:39:")
            && run
                .stderr
                .contains("Service `shop/gone`, which is not among the inputs"),
        "{}",
        run.stderr
    );
}

#[test]
fn exposure_json_has_routes_with_evidence() {
    let dir = Dir::new();
    dir.write("shop.yaml", OBJECTS);
    let run = dir.run(&["network", "exposure", "-f", "shop.yaml", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["summary"]["exposed"], 2);
    assert_eq!(doc["summary"]["high"], 1);
    let web = &doc["workloads"][0];
    assert_eq!(web["kind"], "Deployment");
    assert_eq!(web["name"], "web");
    assert_eq!(web["namespace"], "shop");
    let route = &web["routes"][0];
    assert_eq!(route["kind"], "load-balancer");
    assert_eq!(route["severity"], "high");
    assert_eq!(route["ports"][0]["port"], 80);
    assert_eq!(route["ports"][0]["container"], "nginx");
    assert_eq!(route["ports"][0]["containerPort"], 8080);
    assert_eq!(route["evidence"][0]["kind"], "Service");
    assert_eq!(route["evidence"][0]["field"], "spec.type");
    assert_eq!(route["evidence"][0]["location"]["line"], 29);
    assert_eq!(
        route["evidence"][2]["field"],
        "spec.template.metadata.labels"
    );
    assert_eq!(doc["internal"].as_array().map(Vec::len), Some(2));
    assert_eq!(doc["problems"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["problems"][0]["location"]["line"], 39);
}

#[test]
fn policies_table_and_json() {
    let dir = Dir::new();
    dir.write("shop.yaml", OBJECTS);
    let run = dir.run(&["network", "policies", "-f", "shop.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains("Workloads not isolated by network policies:"),
        "{out}"
    );
    assert!(
        out.contains(
            "shop       Deployment/web  yes               no               deny-in, web-in"
        ),
        "{out}"
    );
    assert!(
        out.contains("Namespaces without a default-deny policy:"),
        "{out}"
    );
    assert!(
        out.contains("shop       deny-in               no                   2          2"),
        "{out}"
    );
    assert!(out.contains("NetworkPolicy/web-in  ingress    spec.ingress[0]  shop.yaml:51  every source (no `from`) on 8080/TCP"), "{out}");
    assert_eq!(
        out.lines().last(),
        Some(
            "2 workload(s): 0 not isolated for ingress, 2 not isolated for egress, 0 selected by no policy; 1 namespace(s): 0 without default-deny ingress, 1 without default-deny egress; 1 allow-all rule(s)."
        )
    );

    let run = dir.run(&["network", "policies", "-f", "shop.yaml", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["summary"]["workloads"], 2);
    assert_eq!(doc["summary"]["egressUnisolated"], 2);
    assert_eq!(doc["summary"]["withoutDefaultDenyEgress"], 1);
    assert_eq!(doc["workloads"][0]["name"], "web");
    assert_eq!(doc["workloads"][0]["ingressIsolated"], true);
    assert_eq!(doc["workloads"][0]["policies"][1]["name"], "web-in");
    assert_eq!(
        doc["namespaces"][0]["defaultDenyIngress"]["name"],
        "deny-in"
    );
    assert_eq!(doc["namespaces"][0]["defaultDenyEgress"], Value::Null);
    assert_eq!(doc["allowAll"][0]["direction"], "ingress");
    assert_eq!(doc["allowAll"][0]["ports"], "8080/TCP");
}

#[test]
fn unreadable_input_exits_2() {
    let dir = Dir::new();
    dir.write("broken.yaml", "kind: [\n");
    for command in ["exposure", "policies"] {
        let run = dir.run(&["network", command, "-f", "broken.yaml"]);
        assert_eq!(run.code, 2, "{command}");
        assert!(run.stderr.contains("broken.yaml:"), "{}", run.stderr);
    }
    let run = dir.run(&["network", "exposure", "-f", "missing.yaml"]);
    assert_eq!(run.code, 2);
}

#[test]
fn ingress_nginx_cloud_load_balancer() {
    let Some(deploy) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "manifests/realworld/ingress-nginx/deploy/static/provider/cloud/deploy.yaml",
    ) else {
        return;
    };
    let dir = Dir::new();
    let deploy = deploy.to_string_lossy();
    let run = dir.run(&["network", "exposure", "-f", &deploy, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    assert_eq!(doc["workloads"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["workloads"][0]["name"], "ingress-nginx-controller");
    assert_eq!(doc["workloads"][0]["routes"][0]["kind"], "load-balancer");
    assert_eq!(doc["workloads"][0]["routes"][0]["severity"], "high");
}
