//! Exposure and NetworkPolicy coverage on a generated cluster of the shape
//! `scripts/make-bench-cluster.py` writes: 100 namespaces, each with 100 Pods (labels
//! `app: app-{0..9}`, a named container port, one in 20 with `hostNetwork`), 10 Services
//! selecting one `app` each (LoadBalancer, NodePort, externalIPs or ClusterIP), 3 Ingresses and
//! 2 NetworkPolicies (a default deny in every other namespace). In all: 10,000 pods, 1,000
//! Services, 300 Ingresses, 200 NetworkPolicies. The objects are generated and indexed outside
//! the measured closures.
//!
//! Run: `cargo bench -p harrier-posture --bench network`.

use std::fmt::Write;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_k8s::{ObjectIndex, load_text};
use harrier_posture::{exposure, netpol};

const NAMESPACES: usize = 100;
const PODS_PER_NAMESPACE: usize = 100;

fn cluster() -> String {
    let mut y = String::new();
    for n in 0..NAMESPACES {
        for p in 0..PODS_PER_NAMESPACE {
            let host = if p % 20 == 7 {
                "  hostNetwork: true\n"
            } else {
                ""
            };
            let _ = write!(
                y,
                "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{p}\n  namespace: ns-{n}\n  labels: {{app: app-{}, tier: t-{}}}\nspec:\n{host}  containers:\n  - name: app\n    image: registry.example/app:1\n    ports: [{{containerPort: 8080, name: http}}]\n",
                p % 10,
                p % 3
            );
        }
        for s in 0..10 {
            let (kind, extra) = match (n + s) % 20 {
                0 => ("LoadBalancer", ""),
                1 => ("NodePort", ""),
                2 => ("ClusterIP", "  externalIPs: [203.0.113.9]\n"),
                _ => ("ClusterIP", ""),
            };
            let _ = write!(
                y,
                "---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc-{s}, namespace: ns-{n}}}\nspec:\n  type: {kind}\n  selector: {{app: app-{s}}}\n  ports: [{{port: 80, targetPort: http}}]\n{extra}"
            );
        }
        for i in 0..3 {
            let _ = write!(
                y,
                "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: ing-{i}, namespace: ns-{n}}}\nspec:\n  rules:\n  - host: app-{i}.ns-{n}.example.com\n    http:\n      paths:\n      - {{path: /, pathType: Prefix, backend: {{service: {{name: svc-{i}, port: {{number: 80}}}}}}}}\n"
            );
        }
        for i in 0..2 {
            let spec = if i == 0 && n % 2 == 0 {
                "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n".to_owned()
            } else {
                format!(
                    "  podSelector: {{matchLabels: {{app: app-{i}}}}}\n  policyTypes: [Ingress]\n  ingress:\n  - from: [{{podSelector: {{matchLabels: {{tier: t-0}}}}}}]\n"
                )
            };
            let _ = write!(
                y,
                "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np-{i}, namespace: ns-{n}}}\nspec:\n{spec}"
            );
        }
    }
    y
}

fn bench(c: &mut Criterion) {
    let loaded = load_text(Arc::from("cluster.yaml"), &cluster());
    let (index, _) = ObjectIndex::build(loaded.objects);
    let pods = (NAMESPACES * PODS_PER_NAMESPACE) as u64;
    let mut group = c.benchmark_group("network");
    group.throughput(Throughput::Elements(pods));
    group.sample_size(10);
    group.bench_function("exposure 10k pods, 1k services, 300 ingresses", |b| {
        b.iter(|| black_box(exposure::analyse(black_box(&index))));
    });
    group.bench_function("coverage 10k pods, 200 policies", |b| {
        b.iter(|| black_box(netpol::analyse(black_box(&index))));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
