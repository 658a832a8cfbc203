//! The layer walk's throughput on layers built in memory, so that the figure is the walk's own
//! (decompression, tar parsing, path handling, catalogers, the secret scanner) and not the
//! disk's. Whole-image figures against `zcat` are `scripts/bench-image.sh`'s.
//!
//! - `small-files`: 100,000 small text files, gzip-compressed (the million-file case, scaled);
//! - `packages`: a dpkg status of 500 packages and 500 Python `METADATA` files among 20,000
//!   other files, uncompressed.
//!
//! Run: `cargo bench -p harrier-image --bench walk`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::io::Write;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_image::catalog;
use harrier_image::secrets::SecretScanner;
use harrier_image::walk::{Consumers, walk_layer};

fn tar_of(files: impl Iterator<Item = (String, Vec<u8>)>) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, body) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, path, body.as_slice())
            .unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn small_files() -> Vec<u8> {
    tar_of((0..100_000).map(|i| {
        (
            format!("data/d{:03}/f{:03}.txt", i / 1000, i % 1000),
            format!("file {i}\n").repeat(1 + i % 20).into_bytes(),
        )
    }))
}

fn packages() -> Vec<u8> {
    let mut status = String::new();
    for i in 0..500 {
        status.push_str(&format!(
            "Package: pkg{i}\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nSource: src{}\nVersion: 1.{i}-1\nDescription: package {i}\n\n",
            i / 3
        ));
    }
    let metadata = (0..500).map(|i| {
        (
            format!("usr/lib/python3/dist-packages/mod{i}-2.{i}.dist-info/METADATA"),
            format!(
                "Metadata-Version: 2.1\nName: mod{i}\nVersion: 2.{i}\nLicense: MIT\n\nA module.\n"
            )
            .into_bytes(),
        )
    });
    let others = (0..20_000).map(|i| {
        (
            format!("usr/share/doc/d{}/f{i}", i / 100),
            vec![b'x'; 200 + i % 3000],
        )
    });
    tar_of(
        std::iter::once(("var/lib/dpkg/status".to_owned(), status.into_bytes()))
            .chain(metadata)
            .chain(others),
    )
}

fn bench(c: &mut Criterion) {
    let catalogers = catalog::all();
    let scanner = SecretScanner::new();
    let consumers = Consumers {
        catalogers: &catalogers,
        content: Some(&scanner),
    };
    let mut group = c.benchmark_group("walk");
    group.sample_size(10);
    for (name, raw, blob) in [
        ("small-files", small_files(), None),
        ("packages", packages(), Some(false)),
    ] {
        let blob = if blob.is_none() {
            gzip(&raw)
        } else {
            raw.clone()
        };
        group.throughput(Throughput::Bytes(raw.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let scan = walk_layer(
                    0,
                    Box::new(std::io::Cursor::new(blob.as_slice())),
                    consumers,
                );
                black_box(scan.entries)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
