//! The cost of the sensor's metrics: the per-event counter on the hot path, a rule match, and
//! rendering `/metrics` with about 200 series (40 event types × 3 collectors, 60 rules, the
//! published stats and the process metrics read from /proc/self), plus a whole scrape over
//! HTTPS on loopback (a new TLS connection per scrape, as a fresh Prometheus target would).
//!
//! Run: `cargo bench -p harrier-sensor --bench metrics`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_sensor::event::{EventType, Process, Source, Syscall};
use harrier_sensor::pipeline::Collector;
use harrier_sensor::{SensorEvent, SensorMetrics, SensorStats};
use harrier_serve::process::ProcessCollector;
use harrier_serve::testing::{Client, Pki};
use harrier_serve::{MetricsServer, ServeConfig};

const N: usize = 10_000;

fn events() -> Vec<SensorEvent> {
    let types: Vec<EventType> = [EventType::Execve, EventType::Fork, EventType::Procexit]
        .into_iter()
        .chain(Syscall::ALL.iter().map(|(s, _, _)| EventType::Syscall(*s)))
        .collect();
    let sources = [Source::Ebpf, Source::ProcConnector, Source::Procfs];
    (0..N)
        .map(|i| {
            SensorEvent::new(
                sources[i % sources.len()],
                types[i % types.len()],
                0,
                Process::default(),
            )
        })
        .collect()
}

/// Metrics with about 200 series.
fn populated() -> Arc<SensorMetrics> {
    let m = Arc::new(SensorMetrics::new());
    for ev in events() {
        m.record_event(&ev);
    }
    for i in 0..60 {
        let p = ["Critical", "Warning", "Notice"][i % 3];
        m.rule_match(&format!("Rule number {i} with a \"quoted\" name"), p);
    }
    m.publish(
        SensorStats {
            collected: 1 << 20,
            queue_capacity: 8192,
            ..SensorStats::default()
        },
        Collector::Ebpf,
    );
    m
}

fn bench(c: &mut Criterion) {
    let evs = events();
    let mut g = c.benchmark_group("sensor metrics");
    g.throughput(Throughput::Elements(N as u64));
    let m = SensorMetrics::new();
    g.bench_function("record_event", |b| {
        b.iter(|| {
            for e in &evs {
                m.record_event(black_box(e));
            }
        });
    });
    m.rule_match("Terminal shell in container", "Notice");
    g.bench_function("rule_match (existing series)", |b| {
        b.iter(|| {
            for _ in 0..N {
                m.rule_match(black_box("Terminal shell in container"), "Notice");
            }
        });
    });
    let rc = m.rule_counter("Drop and execute new binary", "Critical");
    g.bench_function("RuleCounter::inc", |b| {
        b.iter(|| {
            for _ in 0..N {
                black_box(&rc).inc();
            }
        });
    });
    g.finish();

    let m = populated();
    let body = harrier_serve::exposition::render(m.as_ref());
    let series = body.lines().filter(|l| !l.starts_with('#')).count();
    let mut g = c.benchmark_group("sensor metrics render");
    g.throughput(Throughput::Elements(series as u64));
    g.bench_function(format!("render {series} series"), |b| {
        b.iter(|| black_box(harrier_serve::exposition::render(m.as_ref())));
    });
    let p = ProcessCollector::default();
    g.bench_function("of which process_* from /proc/self", |b| {
        b.iter(|| black_box(harrier_serve::exposition::render(&p)));
    });

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let pki = Pki::generate("bench").unwrap_or_else(|e| panic!("pki: {e}"));
    let f = pki
        .write(dir.path())
        .unwrap_or_else(|e| panic!("pki files: {e}"));
    let token = dir.path().join("token");
    std::fs::write(&token, "bench-token").unwrap_or_else(|e| panic!("token: {e}"));
    let cfg = ServeConfig::new(
        "127.0.0.1:0"
            .parse()
            .unwrap_or_else(|e| panic!("addr: {e}")),
        f.server_cert.clone(),
        f.server_key.clone(),
    )
    .with_token_file(token);
    let server = MetricsServer::start(cfg, Arc::clone(&m) as _).unwrap_or_else(|e| panic!("{e}"));
    let client = Client::new(&pki.ca, None).unwrap_or_else(|e| panic!("client: {e}"));
    let addr = server.local_addr();
    g.throughput(Throughput::Elements(1));
    g.bench_function("scrape over HTTPS (new TLS connection)", |b| {
        b.iter(|| {
            let r = client
                .get(addr, "/metrics", Some("bench-token"))
                .unwrap_or_else(|e| panic!("scrape: {e}"));
            assert_eq!(r.status, 200);
            black_box(r.body.len())
        });
    });
    g.finish();
    server.stop();
}

criterion_group!(benches, bench);
criterion_main!(benches);
