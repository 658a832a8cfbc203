#![allow(clippy::expect_used)] // the bench's own fixed request: a failure is a broken bench
//! Effective RBAC permissions on a generated cluster: 100 namespaces, 2,000 service accounts,
//! 500 Roles, 100 ClusterRoles (10 of them aggregated) and 5,000 bindings. Measured apart:
//! resolution (`Rbac::from_index`: decoding, aggregation, role references), one who-can over
//! every namespace, and every bound subject's effective permissions (`can` for each).
//! The objects are generated and indexed outside the measured closures.
//!
//! Run: `cargo bench -p harrier-posture --bench rbac`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_k8s::{ObjectIndex, load_text};
use harrier_posture::rbac::{Identity, Rbac, RbacOptions, Request};

#[path = "support/cluster.rs"]
mod cluster;

use cluster::{BINDINGS, cluster};

fn bench(c: &mut Criterion) {
    let text = cluster();
    let loaded = load_text(Arc::from("generated.yaml"), &text);
    let (index, _) = ObjectIndex::build(loaded.objects);
    let options = RbacOptions::default();
    let rbac = Rbac::from_index(&index, &options);
    assert!(rbac.problems().is_empty(), "{:?}", rbac.problems().first());
    let subjects = rbac.subjects();

    let mut group = c.benchmark_group("rbac");
    group.sample_size(10);
    group.throughput(Throughput::Elements(BINDINGS as u64));
    group.bench_function("resolve", |b| {
        b.iter(|| black_box(Rbac::from_index(&index, &options)))
    });
    let request = Request::parse("get", "secrets", None, None).expect("a valid request");
    group.bench_function("who_can_anywhere", |b| {
        b.iter(|| black_box(rbac.who_can(&request)))
    });
    group.throughput(Throughput::Elements(subjects.len() as u64));
    group.bench_function("can_every_subject", |b| {
        b.iter(|| {
            let rules: usize = subjects
                .iter()
                .map(|s| {
                    rbac.can(&Identity::of(s))
                        .iter()
                        .map(|n| n.rules.len())
                        .sum::<usize>()
                })
                .sum();
            black_box(rules)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
