//! The userspace cost per event, without a kernel: decoding ring-buffer records, enriching
//! them (process table, ancestry, cgroup → container) and writing them as JSON lines; then what
//! `harrier sensor` adds: converting them to the rule engine's model, evaluating them (built-in
//! profiles + Falco's default rules) and writing the runtime JSON line of `--events`. The
//! records are built as the BPF programs write them (`abi::RecordBuilder`), outside the measured
//! closures: 10,000 records of a containerised shell and its children (exec, openat, connect).
//!
//! Run: `cargo bench -p harrier-sensor --bench pipeline`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use harrier_sensor::abi::{RecordBuilder, blob, kind};
use harrier_sensor::enrich::{EnrichConfig, Enricher};
use harrier_sensor::event::{Syscall, decode};

const N: usize = 10_000;

fn records() -> Vec<Vec<u8>> {
    let id = "74c040c4e7d19bb459446c7b36810a7e1243c4e43d998bbca191402c9b4b0056";
    let leaf = format!("libpod-{id}");
    let mut sa = vec![0u8; 16];
    sa[..2].copy_from_slice(&2u16.to_ne_bytes());
    sa[2..4].copy_from_slice(&3333u16.to_be_bytes());
    sa[4..8].copy_from_slice(&[127, 0, 0, 1]);
    (0..N)
        .map(|i| {
            // Pids far above pid_max: never in this host's /proc.
            let pid = 5_000_000 + (i / 10) as u32;
            let b = match i % 10 {
                0 => RecordBuilder::new(kind::EXEC)
                    .path(0, "/usr/bin/cat")
                    .argv(&["cat", "/etc/os-release"]),
                9 => RecordBuilder::new(kind::SYSCALL)
                    .syscall(Syscall::Connect.code())
                    .arg(0, 3)
                    .ret(-111)
                    .blob(blob::SOCKADDR, &sa),
                _ => RecordBuilder::new(kind::SYSCALL)
                    .syscall(Syscall::Openat.code())
                    .arg(0, (-100i64) as u64)
                    .path(0, "/usr/lib/x86_64-linux-gnu/libc.so.6")
                    .ret(3),
            };
            b.process(pid, pid, 4_999_999)
                .ids(0, 0)
                .comm("cat")
                .cgroup("libpod_parent", &leaf)
                .build()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let recs = records();
    let mut g = c.benchmark_group("sensor pipeline");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("decode", |b| {
        b.iter(|| {
            for r in &recs {
                black_box(decode(r, 0).ok());
            }
        })
    });
    let enricher = || {
        Enricher::new(EnrichConfig {
            metadata_sources: Vec::new(),
            ..EnrichConfig::default()
        })
    };
    g.bench_function("decode + enrich", |b| {
        b.iter_batched(
            enricher,
            |mut en| {
                for r in &recs {
                    if let Ok((ev, p)) = decode(r, 0) {
                        black_box(en.enrich(ev, p));
                    }
                }
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("decode + enrich + JSON line", |b| {
        let mut out = Vec::with_capacity(8 << 20);
        b.iter_batched(
            enricher,
            |mut en| {
                out.clear();
                for r in &recs {
                    if let Ok((ev, p)) = decode(r, 0)
                        && let Some(ev) = en.enrich(ev, p)
                    {
                        let _ = serde_json::to_writer(&mut out, &ev);
                        out.push(b'\n');
                    }
                }
                black_box(out.len());
            },
            BatchSize::LargeInput,
        )
    });
    // The stages `harrier sensor` adds: the conversion to the engine's model, the engine (all
    // built-in profiles and Falco's default rules when the corpus has them), and the runtime
    // JSON line of `--events`.
    let engine = engine();
    let enriched: Vec<_> = {
        let mut en = enricher();
        recs.iter()
            .filter_map(|r| decode(r, 0).ok())
            .filter_map(|(ev, p)| en.enrich(ev, p))
            .collect()
    };
    g.bench_function("convert", |b| {
        b.iter(|| {
            for ev in &enriched {
                black_box(harrier_sensor::to_runtime(ev, "node-1"));
            }
        })
    });
    g.bench_function("convert + evaluate", |b| {
        b.iter(|| {
            for ev in &enriched {
                let e = harrier_sensor::to_runtime(ev, "node-1");
                black_box(engine.alerts(&e, "node-1"));
            }
        })
    });
    g.bench_function("convert + evaluate + runtime JSON line", |b| {
        let mut out = Vec::with_capacity(16 << 20);
        b.iter(|| {
            out.clear();
            for ev in &enriched {
                let e = harrier_sensor::to_runtime(ev, "node-1");
                black_box(engine.alerts(&e, "node-1"));
                let _ = serde_json::to_writer(&mut out, &e);
                out.push(b'\n');
            }
            black_box(out.len());
        })
    });
    g.finish();
}

/// The built-in profiles and, when the corpus has it, Falco's default rules: syscall rules.
fn engine() -> harrier_runtime::Engine {
    use harrier_runtime::profiles::{MACROS, PROFILES};
    let mut loader = harrier_runtime::rules::Loader::new();
    loader.add_text(MACROS.path, MACROS.text);
    for p in PROFILES {
        loader.add_text(p.file.path, p.file.text);
    }
    if let Some(falco) = harrier_core::testing::corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "runtime-rules/falco-rules/rules/falco_rules.yaml",
    ) && let Ok(text) = std::fs::read_to_string(&falco)
    {
        loader.add_text(&falco.display().to_string(), &text);
    }
    let rules = loader
        .compile()
        .rules
        .into_iter()
        .filter(|r| r.source == harrier_runtime::event::Source::Syscall)
        .collect();
    harrier_runtime::Engine::from_rules(rules)
}

criterion_group!(benches, bench);
criterion_main!(benches);
