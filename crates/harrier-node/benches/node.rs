#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)] // a bench reports a skip on stderr; setup may panic
//! A whole benchmark over a node tree, against the physical floor of reading that tree.
//!
//! The tree is the compliant kubeadm control plane of the tests (tests/support: four static
//! pods, kubeconfigs, PKI, etcd data, kubelet and kube-proxy files), plus a `/proc` of 300
//! processes with realistic command lines, as a control plane node runs. Built once in a temp
//! dir (page cache warm), outside the measured closures.
//!
//! - `scan/cis-1.10`: `scan_node` with the profile given — a fresh `NodeView` (reads `/proc`
//!   and the manifests), then all 91 items.
//! - `scan/detect+cis-1.10`: the same with the layout detected first.
//! - `floor/stat`: one `stat` of every file and directory of the tree.
//! - `floor/stat+read`: `stat` and a full read of every file: the least any tool reading the
//!   same files could do.
//!
//! Run: `cargo bench -p harrier-node --bench node`. Needs root (the tree's files are chowned).

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_node::{Benchmark, Profile, scan_node};

fn tree() -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().ok()?;
    if std::os::unix::fs::chown(dir.path(), Some(0), Some(0)).is_err() {
        return None;
    }
    support::build(dir.path(), &support::COMPLIANT);
    for pid in 1000..1300u32 {
        let argv = match pid % 4 {
            0 => {
                "/usr/bin/containerd-shim-runc-v2\0-namespace\0k8s.io\0-id\0".to_owned()
                    + &format!("{pid:064x}\0-address\0/run/containerd/containerd.sock\0")
            }
            1 => "/pause\0".to_owned(),
            2 => "/usr/sbin/sshd\0-D\0".to_owned(),
            _ => format!("/usr/local/bin/app\0--port={pid}\0--log-level=info\0"),
        };
        support::write(dir.path(), &format!("/proc/{pid}/cmdline"), &argv, 0o444, 0);
    }
    Some(dir)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        }
        out.push(p);
    }
}

fn bench(c: &mut Criterion) {
    let Some(dir) = tree() else {
        eprintln!("skipped: building the node tree needs root (chown)");
        return;
    };
    let root = dir.path().to_path_buf();
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    let items = harrier_node::checks::for_benchmark(Benchmark::Cis110).len() as u64;
    eprintln!("node tree: {} paths, {items} items", paths.len());

    let mut group = c.benchmark_group("node");
    group.sample_size(50);
    group.throughput(Throughput::Elements(items));
    group.bench_function("scan/cis-1.10", |b| {
        b.iter(|| {
            black_box(scan_node(
                &root,
                Some(Profile::Kubeadm),
                Some(Benchmark::Cis110),
            ))
        });
    });
    group.bench_function("scan/detect+cis-1.10", |b| {
        b.iter(|| black_box(scan_node(&root, None, None)));
    });
    group.throughput(Throughput::Elements(paths.len() as u64));
    group.bench_function("floor/stat", |b| {
        b.iter(|| {
            let n = paths
                .iter()
                .filter(|p| std::fs::metadata(p).is_ok())
                .count();
            black_box(n)
        });
    });
    group.bench_function("floor/stat+read", |b| {
        b.iter(|| {
            let mut bytes = 0;
            for p in &paths {
                if std::fs::metadata(p).is_ok_and(|m| m.is_file()) {
                    bytes += std::fs::read(p).map_or(0, |d| d.len());
                }
            }
            black_box(bytes)
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
