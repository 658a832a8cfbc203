#![allow(clippy::expect_used)] // the bench's own generated objects: a failure is a broken bench
//! Risky RBAC permissions (`harrier rbac risks`) on a generated cluster: the objects of the
//! `rbac` bench (100 namespaces, 2,000 service accounts, 500 Roles, 100 ClusterRoles, 10 of
//! them aggregated, 5,000 bindings, every tenth rule limited by `resourceNames`) plus one
//! Deployment of five replicas per service account. Measured: every primitive of the catalogue
//! over every subject (`assess`, including the workloads of each subject), with resolution
//! outside the measured closure.
//!
//! Run: `cargo bench -p harrier-posture --bench risks`. With `HARRIER_BENCH_CLUSTER_OUT=PATH`
//! the generated manifest is also written to PATH, for timing the CLI on the same objects.

use std::fmt::Write;
use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_k8s::{ObjectIndex, load_text};
use harrier_posture::rbac::risks::{PRIMITIVES, assess};
use harrier_posture::rbac::{Rbac, RbacOptions};

// The generator is the `rbac` bench's (benches cannot share a module without a crate of
// their own), extended with workloads.
const NAMESPACES: usize = 100;
const SERVICE_ACCOUNTS: usize = 2_000;
const ROLES: usize = 500;
const CLUSTER_ROLES: usize = 100;
const BINDINGS: usize = 5_000;

const RESOURCES: [&str; 8] = [
    "pods",
    "secrets",
    "configmaps",
    "services",
    "pods/exec",
    "deployments",
    "jobs",
    "*",
];
const VERBS: [&str; 6] = ["get", "list", "watch", "create", "delete", "*"];

fn rule(i: usize) -> String {
    let group = if RESOURCES[i % RESOURCES.len()] == "deployments" {
        "apps"
    } else {
        ""
    };
    let names = if i % 11 == 0 {
        ", resourceNames: [special]"
    } else {
        ""
    };
    format!(
        "- {{apiGroups: [\"{group}\"], resources: [\"{}\"], verbs: [\"{}\", \"{}\"]{names}}}\n",
        RESOURCES[i % RESOURCES.len()],
        VERBS[i % VERBS.len()],
        VERBS[(i / 3) % VERBS.len()],
    )
}

fn cluster() -> String {
    let mut y = String::new();
    for r in 0..ROLES {
        let _ = write!(
            y,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: role-{r}, namespace: ns-{}}}\nrules:\n{}{}",
            r % NAMESPACES,
            rule(r),
            rule(r + 1)
        );
    }
    for c in 0..CLUSTER_ROLES {
        if c % 10 == 0 {
            let _ = write!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: cr-{c}}}\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {{agg: \"{}\"}}\n",
                c / 10
            );
        } else {
            let _ = write!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: cr-{c}, labels: {{agg: \"{}\"}}}}\nrules:\n{}{}{}",
                c / 10,
                rule(c),
                rule(c * 7),
                rule(c * 13)
            );
        }
    }
    for b in 0..BINDINGS {
        let sa = b % SERVICE_ACCOUNTS;
        let sa_ns = sa % NAMESPACES;
        let subject = match b % 50 {
            0 => "{kind: Group, name: \"system:authenticated\"}".to_owned(),
            1 => format!("{{kind: Group, name: \"system:serviceaccounts:ns-{sa_ns}\"}}"),
            2 => format!("{{kind: User, name: user-{}}}", b % 97),
            _ => format!("{{kind: ServiceAccount, name: sa-{sa}, namespace: ns-{sa_ns}}}"),
        };
        if b % 5 == 0 {
            let _ = write!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: crb-{b}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr-{}}}\nsubjects: [{subject}]\n",
                b % CLUSTER_ROLES
            );
        } else {
            let role = b % ROLES;
            let (kind, name, ns) = if b % 3 == 0 {
                (
                    "ClusterRole",
                    format!("cr-{}", b % CLUSTER_ROLES),
                    b % NAMESPACES,
                )
            } else {
                ("Role", format!("role-{role}"), role % NAMESPACES)
            };
            let _ = write!(
                y,
                "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: rb-{b}, namespace: ns-{ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: {name}}}\nsubjects: [{subject}]\n"
            );
        }
    }
    // One Deployment of five replicas per service account: 10,000 pods, as the issue's
    // generated cluster, so that mapping subjects to their workloads is measured too.
    for sa in 0..SERVICE_ACCOUNTS {
        let ns = sa % NAMESPACES;
        let _ = write!(
            y,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{sa}, namespace: ns-{ns}}}\nspec:\n  replicas: 5\n  selector: {{matchLabels: {{app: app-{sa}}}}}\n  template:\n    metadata: {{labels: {{app: app-{sa}}}}}\n    spec:\n      serviceAccountName: sa-{sa}\n      containers: [{{name: c, image: app}}]\n"
        );
    }
    y
}

fn bench(c: &mut Criterion) {
    let text = cluster();
    if let Some(path) = std::env::var_os("HARRIER_BENCH_CLUSTER_OUT") {
        std::fs::write(path, &text).expect("the cluster manifest is written");
    }
    let loaded = load_text(Arc::from("generated.yaml"), &text);
    let (index, _) = ObjectIndex::build(loaded.objects);
    let options = RbacOptions::default();
    let rbac = Rbac::from_index(&index, &options);
    assert!(rbac.problems().is_empty(), "{:?}", rbac.problems().first());
    assert_eq!(index.workloads().len(), SERVICE_ACCOUNTS);

    let mut group = c.benchmark_group("risks");
    group.sample_size(10);
    group.throughput(Throughput::Elements(PRIMITIVES.len() as u64));
    group.bench_function("assess_every_primitive", |b| {
        b.iter(|| black_box(assess(&rbac, &index, &options).len()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
