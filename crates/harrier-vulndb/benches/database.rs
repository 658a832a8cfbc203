//! The vulnerability database's figures over the shared corpus's advisory sets (every set in
//! `shared/corpus/vulnerabilities`, pinned on disk): import and build time, open latency, and
//! lookups, raw (find a package's records and decode them) and full (match a version with
//! evidence, merging and enrichment).
//!
//! Run: `cargo bench -p harrier-vulndb --bench database`. Sizes are printed once.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_core::testing::corpus_root;
use harrier_vulndb::db::Builder;
use harrier_vulndb::ingest::{self, ImportOptions};
use harrier_vulndb::{Database, Ecosystem, Query, lookup};

fn build(root: &std::path::Path) -> (Vec<u8>, u64) {
    let batch = ingest::read_path_with(root, &ImportOptions::default()).unwrap();
    let mut builder = Builder::new();
    for a in batch.advisories {
        builder.add_advisory("corpus", a);
    }
    let (bytes, meta) = builder.encode("bench").unwrap();
    (bytes, meta.affected)
}

fn bench(c: &mut Criterion) {
    let Some(root) = corpus_root(env!("CARGO_MANIFEST_DIR")).map(|r| r.join("vulnerabilities"))
    else {
        eprintln!("skipped: the shared corpus was not found (set HARRIER_CORPUS)");
        return;
    };
    let (bytes, affected) = build(&root);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vuln.db");
    std::fs::write(&path, &bytes).unwrap();
    let db = Database::open(&path).unwrap();
    let compressed = zstd::encode_all(&bytes[..], 19).unwrap();
    eprintln!(
        "database: {} bytes ({} zstd-19), {} advisories, {} affected records ({:.0} bytes each), {} packages",
        bytes.len(),
        compressed.len(),
        db.meta().advisories,
        affected,
        bytes.len() as f64 / affected as f64,
        db.meta().packages
    );

    let mut group = c.benchmark_group("vulndb");
    group.sample_size(10);
    group.bench_function("import+build", |b| b.iter(|| black_box(build(&root))));
    group.sample_size(50);
    group.bench_function("open", |b| {
        b.iter(|| black_box(Database::open(&path).unwrap()))
    });

    // Every package key, queried by name: the raw lookup.
    let keys = db.package_keys().unwrap();
    let queries: Vec<(Ecosystem, String)> = keys
        .iter()
        .map(|(e, r, n)| {
            let eco = if r.is_empty() {
                e.clone()
            } else {
                format!("{e}:{r}")
            };
            (Ecosystem::parse_osv(&eco), n.clone())
        })
        .collect();
    group.throughput(Throughput::Elements(queries.len() as u64));
    group.bench_function("lookup/index", |b| {
        b.iter(|| {
            let mut found = 0;
            for (eco, name) in &queries {
                found += db.affected_indices(eco, name).unwrap().len();
            }
            black_box(found)
        });
    });
    group.bench_function("lookup/raw", |b| {
        b.iter(|| {
            let mut found = 0;
            for (eco, name) in &queries {
                for i in db.affected_indices(eco, name).unwrap() {
                    found += db
                        .stored_affected(i as usize)
                        .unwrap()
                        .affected
                        .ranges
                        .len();
                }
            }
            black_box(found)
        });
    });

    // Full matches of realistic queries: one version per package, taken from its records.
    let mut matches: Vec<(Ecosystem, String, String)> = Vec::new();
    for (eco, name) in &queries {
        let Some(i) = db.affected_indices(eco, name).unwrap().first().copied() else {
            continue;
        };
        let rec = db.stored_affected(i as usize).unwrap().affected;
        let version = rec
            .ranges
            .iter()
            .flat_map(|r| r.events.iter())
            .map(|e| e.version().to_owned())
            .find(|v| v != "0")
            .or_else(|| rec.versions.first().cloned());
        if let (Some(v), Some(_)) = (version, eco.scheme()) {
            matches.push((eco.clone(), name.clone(), v));
        }
    }
    group.throughput(Throughput::Elements(matches.len() as u64));
    group.bench_function("lookup/match", |b| {
        b.iter(|| {
            let mut n = 0;
            for (eco, name, version) in &matches {
                let q = Query {
                    ecosystem: eco.clone(),
                    package: name,
                    version,
                    source_package: None,
                };
                if let Ok(r) = lookup(&db, &q) {
                    n += r.matches.len();
                }
            }
            black_box(n)
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
