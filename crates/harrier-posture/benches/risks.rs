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

#[path = "support/cluster.rs"]
mod cluster;

use cluster::{NAMESPACES, SERVICE_ACCOUNTS};

/// The `rbac` bench's cluster, extended with workloads.
fn cluster() -> String {
    let mut y = cluster::cluster();
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
