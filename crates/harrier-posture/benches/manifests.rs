#![allow(clippy::print_stderr)] // a bench reports a skip on stderr
//! Manifest scanning throughput over the shared corpus: every manifest of
//! `shared/corpus/manifests` (2,100 files, ~2,900 objects), pinned on disk, never downloaded.
//!
//! Stages are measured apart so a regression points at its cause: reading and parsing YAML,
//! indexing (typed pod templates), and evaluating checks (all checks, and PSS only). Inputs are
//! prepared outside the measured closures.
//!
//! Run: `cargo bench -p harrier-posture --bench manifests`.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use harrier_core::testing::corpus_root;
use harrier_k8s::{LoadOptions, ObjectIndex, load, load_text};
use harrier_posture::{ScanOptions, checks, scan};

/// Every manifest's path and text.
type Files = Vec<(Arc<str>, String)>;

fn corpus_files() -> Option<(Files, PathBuf)> {
    let root = corpus_root(env!("CARGO_MANIFEST_DIR"))?.join("manifests");
    let mut files = Vec::new();
    for entry in walk(&root) {
        if let Ok(text) = std::fs::read_to_string(&entry) {
            files.push((Arc::from(entry.to_string_lossy().as_ref()), text));
        }
    }
    Some((files, root))
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        {
            out.push(p);
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let Some((files, root)) = corpus_files() else {
        eprintln!("skipped: the shared corpus was not found (set HARRIER_CORPUS)");
        return;
    };
    let bytes: u64 = files.iter().map(|(_, t)| t.len() as u64).sum();
    let objects = load(std::slice::from_ref(&root), &LoadOptions::default()).objects;
    let count = objects.len() as u64;

    let mut group = c.benchmark_group("corpus");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("parse", |b| {
        b.iter(|| {
            let n: usize = files
                .iter()
                .map(|(path, text)| load_text(path.clone(), text).objects.len())
                .sum();
            black_box(n)
        });
    });
    group.throughput(Throughput::Elements(count));
    group.bench_function("index", |b| {
        b.iter_batched(
            || objects.clone(),
            |o| black_box(ObjectIndex::build(o)),
            BatchSize::LargeInput,
        );
    });
    let (index, _) = ObjectIndex::build(objects.clone());
    group.bench_function("checks/all", |b| {
        b.iter(|| black_box(scan(&index, &ScanOptions::default())));
    });
    let pss_only: Vec<_> = checks::pss::CHECKS.iter().map(|c| c.meta.id).collect();
    group.bench_function("checks/pss", |b| {
        let options = ScanOptions {
            selected: Some(pss_only.clone()),
            exceptions: None,
        };
        b.iter(|| black_box(scan(&index, &options)));
    });
    group.bench_function("end-to-end", |b| {
        b.iter(|| {
            let loaded = load(std::slice::from_ref(&root), &LoadOptions::default());
            let (index, _) = ObjectIndex::build(loaded.objects);
            black_box(scan(&index, &ScanOptions::default()))
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
