//! Attack paths on a generated cluster of 10,000 pods, 2,000 service accounts and 5,000
//! bindings. Measured apart: building the graph (objects, resolved RBAC and exposure given)
//! and the search from the default sources (the internet, any authenticated user, every pod)
//! to the default targets (cluster-admin, nodes, kube-system's secrets).
//!
//! The cluster is `scripts/make-bench-cluster.py`'s when `HARRIER_BENCH_CLUSTER` names its
//! output (as BENCHMARKS.md does):
//!
//! ```text
//! python3 scripts/make-bench-cluster.py /tmp/cluster.yaml
//! HARRIER_BENCH_CLUSTER=/tmp/cluster.yaml cargo bench -p harrier-graph --bench paths
//! ```
//!
//! Without it, an equivalent cluster is generated in memory, so the bench runs anywhere. The
//! objects are loaded, indexed and resolved outside the measured closures.

use std::fmt::Write;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_graph::{
    BuildOptions, DEFAULT_SOURCES, DEFAULT_TARGETS, Limits, build, exposures, find_paths,
};
use harrier_k8s::{ObjectIndex, load_text};
use harrier_posture::rbac::{Rbac, RbacOptions};

const NAMESPACES: usize = 100;
const SERVICE_ACCOUNTS: usize = 2_000;
const PODS: usize = 10_000;
const BINDINGS: usize = 5_000;
const NODES: usize = 50;

const RULES: [&str; 8] = [
    r#"{apiGroups: [""], resources: [configmaps], verbs: [get, list]}"#,
    r#"{apiGroups: [""], resources: [secrets], verbs: [get, list]}"#,
    r#"{apiGroups: [""], resources: [pods], verbs: [create]}"#,
    r#"{apiGroups: [""], resources: [pods/exec], verbs: [create]}"#,
    r#"{apiGroups: [apps], resources: [deployments], verbs: [create, patch]}"#,
    r#"{apiGroups: [""], resources: [serviceaccounts/token], verbs: [create]}"#,
    r#"{apiGroups: [""], resources: [services], verbs: [get, list, watch]}"#,
    r#"{apiGroups: [""], resources: [pods/portforward], verbs: [create]}"#,
];

/// A cluster shaped like make-bench-cluster.py's: mostly narrow roles, a few risky ones,
/// a few privileged or host-mounting pods, a few cluster-admins, some exposed Services.
fn generated() -> String {
    let mut y = String::new();
    for n in 0..NAMESPACES {
        let _ = write!(
            y,
            "---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: ns-{n}}}\n"
        );
        for (r, rule) in RULES.iter().enumerate() {
            let _ = write!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: role-{r}, namespace: ns-{n}}}\nrules: [{rule}]\n"
            );
        }
    }
    for s in 0..SERVICE_ACCOUNTS {
        let _ = write!(
            y,
            "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa-{s}, namespace: ns-{}}}\n",
            s % NAMESPACES
        );
    }
    for b in 0..BINDINGS {
        let s = (b * 7) % SERVICE_ACCOUNTS;
        let ns = s % NAMESPACES;
        if b % 1000 == 999 {
            let _ = write!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: admin-{b}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}\nsubjects: [{{kind: ServiceAccount, name: sa-{s}, namespace: ns-{ns}}}]\n"
            );
            continue;
        }
        // Mostly harmless roles; one binding in four grants a risky one.
        let role = if b % 4 == 0 { 1 + b % 7 } else { 0 };
        let _ = write!(
            y,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: rb-{b}, namespace: ns-{ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: role-{role}}}\nsubjects: [{{kind: ServiceAccount, name: sa-{s}, namespace: ns-{ns}}}]\n"
        );
    }
    for p in 0..PODS {
        let s = p % SERVICE_ACCOUNTS;
        let ns = s % NAMESPACES;
        let extra = match p % 500 {
            0 => "    securityContext: {privileged: true}\n",
            1 => "    volumeMounts: [{name: host, mountPath: /host}]\n",
            _ => "",
        };
        let volumes = if p % 500 == 1 {
            "  volumes: [{name: host, hostPath: {path: /etc}}]\n"
        } else {
            ""
        };
        let automount = if p % 3 == 0 {
            "  automountServiceAccountToken: false\n"
        } else {
            ""
        };
        let _ = write!(
            y,
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: pod-{p}, namespace: ns-{ns}, labels: {{app: app-{}}}}}\nspec:\n  nodeName: node-{}\n  serviceAccountName: sa-{s}\n{automount}{volumes}  containers:\n  - name: main\n    image: app:1\n    ports: [{{containerPort: 8080}}]\n{extra}",
            p % 10,
            p % NODES
        );
        if p % 10 == 0 {
            let _ = write!(
                y,
                "---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc-{p}, namespace: ns-{ns}}}\nspec:\n  type: {}\n  selector: {{app: app-{}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n",
                if p % 20 == 0 {
                    "LoadBalancer"
                } else {
                    "ClusterIP"
                },
                p % 10
            );
        }
    }
    y
}

fn bench(c: &mut Criterion) {
    let (name, text) = match std::env::var("HARRIER_BENCH_CLUSTER") {
        Ok(path) => match std::fs::read_to_string(&path) {
            Ok(text) => (path, text),
            Err(e) => {
                // A bench has no caller to return an error to; an unreadable input is a
                // broken bench run.
                panic!("cannot read HARRIER_BENCH_CLUSTER={path}: {e}");
            }
        },
        Err(_) => ("generated".to_owned(), generated()),
    };
    let loaded = load_text(Arc::from(name.as_str()), &text);
    let (index, _) = ObjectIndex::build(loaded.objects);
    let rbac = Rbac::from_index(&index, &RbacOptions::default());
    let exposure = exposures(&harrier_posture::exposure::analyse(&index));
    let options = BuildOptions::default();
    let pods = index.workloads().len() as u64;

    let mut group = c.benchmark_group("paths");
    group.sample_size(10);
    group.throughput(Throughput::Elements(pods));
    group.bench_function("build", |b| {
        b.iter(|| black_box(build(&index, &rbac, &exposure, &options)));
    });
    let graph = build(&index, &rbac, &exposure, &options);
    let limits = Limits::default();
    group.bench_function("search", |b| {
        b.iter(|| {
            black_box(find_paths(
                &graph,
                &DEFAULT_SOURCES,
                &DEFAULT_TARGETS,
                &limits,
            ))
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
