#![allow(clippy::print_stderr)] // a bench reports a skip on stderr
//! Engine throughput, one core: events per second through the rule engine with the upstream
//! Falco rules loaded (`falco_rules.yaml`, Falco's default; and stable + incubating + sandbox),
//! over a realistic syscall mix, plus the k8saudit rules over audit events. The rule files are
//! read from the shared corpus, pinned on disk; the events are generated deterministically
//! before the measured closure.
//!
//! The mix approximates what a Kubernetes node's sensor sees after the kernel-side filter keeps
//! the event types rules ask for: mostly opens (reads of libraries and config, some writes),
//! then network calls, process lifecycle, and a tail of rarer calls; 80% of events come from
//! containers; a few are suspicious (a shell with a terminal, a read of /etc/shadow).
//!
//! Times are CPU time of the benchmark thread (the scheduler's count), so figures are per
//! core even on a busy machine.
//!
//! Run: `cargo bench -p harrier-runtime --bench engine`.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_core::testing::Rng;
use harrier_core::testing::corpus_root;
use harrier_runtime::Engine;
use harrier_runtime::event::{
    Ancestor, AuditEvent, Container, Event, Fd, K8sContext, OpenFlags, Process, SyscallEvent, audit,
};
use harrier_runtime::rules;

const PROCS: &[(&str, &str, &[&str], &str)] = &[
    (
        "nginx",
        "/usr/sbin/nginx",
        &["-g", "daemon off;"],
        "containerd-shim",
    ),
    (
        "python3",
        "/usr/bin/python3.11",
        &["app.py"],
        "containerd-shim",
    ),
    (
        "java",
        "/usr/bin/java",
        &["-jar", "app.jar"],
        "containerd-shim",
    ),
    ("node", "/usr/local/bin/node", &["server.js"], "npm"),
    (
        "postgres",
        "/usr/lib/postgresql/15/bin/postgres",
        &["-D", "/var/lib/postgresql"],
        "postgres",
    ),
    ("sh", "/bin/sh", &["-c", "ls /tmp"], "python3"),
    (
        "curl",
        "/usr/bin/curl",
        &["-s", "http://api:8080/health"],
        "sh",
    ),
    (
        "kubelet",
        "/usr/bin/kubelet",
        &["--config=/var/lib/kubelet/config.yaml"],
        "systemd",
    ),
    ("bash", "/bin/bash", &[], "runc"),
];

const PATHS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/etc/ld.so.cache",
    "/etc/nsswitch.conf",
    "/etc/resolv.conf",
    "/app/config/settings.yaml",
    "/var/log/nginx/access.log",
    "/tmp/upload-123",
    "/proc/self/status",
    "/sys/fs/cgroup/memory.max",
    "/usr/share/zoneinfo/UTC",
    "/etc/passwd",
    "/var/lib/postgresql/data/base/1/1259",
    "/etc/shadow",
];

fn process(rng: &mut Rng) -> Process {
    let (name, exepath, args, parent) = *rng.pick(PROCS);
    Process {
        pid: Some(1000 + (rng.next_u64() % 5000) as i64),
        ppid: Some(900),
        vpid: Some(1 + (rng.next_u64() % 50) as i64),
        name: Some(name.to_string()),
        exe: Some(exepath.to_string()),
        exepath: Some(exepath.to_string()),
        args: Some(args.iter().map(|a| a.to_string()).collect()),
        cwd: Some("/app".to_string()),
        tty: Some(if name == "bash" { 34816 } else { 0 }),
        uid: Some(if rng.next_u64() % 4 == 0 { 0 } else { 1000 }),
        gid: Some(1000),
        loginuid: Some(u32::MAX),
        user: Some("app".to_string()),
        ancestors: vec![
            Ancestor {
                pid: Some(900),
                name: Some(parent.to_string()),
                exepath: Some(format!("/usr/bin/{parent}")),
                ..Ancestor::default()
            },
            Ancestor {
                pid: Some(1),
                name: Some("containerd-shim".to_string()),
                ..Ancestor::default()
            },
        ],
        ..Process::default()
    }
}

fn events(n: usize) -> Vec<Event> {
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    let container = Container {
        id: "3ad7b2c1f0e9".to_string(),
        name: Some("web".to_string()),
        image: Some("nginx:1.25".to_string()),
        image_repository: Some("nginx".to_string()),
        image_tag: Some("1.25".to_string()),
        privileged: Some(false),
        ..Container::default()
    };
    let k8s = K8sContext {
        namespace: Some("shop".to_string()),
        pod_name: Some("web-6d9f7".to_string()),
        ..K8sContext::default()
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let roll = rng.next_u64() % 100;
        let kind = match roll {
            0..=44 => "openat",
            45..=54 => "connect",
            55..=59 => "accept4",
            60..=67 => "execve",
            68..=73 => "clone",
            74..=79 => "procexit",
            80..=83 => "close",
            84..=86 => "unlinkat",
            87..=88 => "renameat2",
            89..=90 => "setuid",
            91..=92 => "fchmodat",
            93..=94 => "mmap",
            95..=96 => "bind",
            97 => "ptrace",
            98 => "mount",
            _ => "memfd_create",
        };
        let mut e = SyscallEvent::new(
            kind,
            1_700_000_000_000_000_000 + i as i64 * 1000,
            process(&mut rng),
        );
        e.res = Some(0);
        e.hostname = Some("node-1".to_string());
        if rng.next_u64() % 5 != 0 {
            e.container = Some(container.clone());
            e.k8s = Some(k8s.clone());
        } else {
            e.container = Some(Container::host());
        }
        match kind {
            "openat" | "unlinkat" | "renameat2" | "fchmodat" => {
                let path = *rng.pick(PATHS);
                let mut fd = Fd::file(path);
                fd.num = Some(3 + (rng.next_u64() % 60) as i64);
                e.fd = Some(fd);
                let write = rng.next_u64() % 6 == 0;
                e.open_flags = Some(OpenFlags {
                    read: !write,
                    write,
                    create: write,
                    ..OpenFlags::default()
                });
                e.args.push(("name".to_string(), path.to_string()));
            }
            "connect" | "accept4" | "bind" => {
                let port = *rng.pick(&[443u16, 80, 5432, 8080, 53, 6443, 3333]);
                let server = IpAddr::V4(Ipv4Addr::new(10, 96, (rng.next_u64() % 255) as u8, 1));
                let client = IpAddr::V4(Ipv4Addr::new(10, 244, 1, 17));
                e.fd = Some(Fd::socket(
                    "tcp",
                    (client, 40000),
                    (server, port),
                    kind != "connect",
                ));
            }
            "setuid" => e.args.push(("uid".to_string(), "0".to_string())),
            _ => {}
        }
        out.push(Event::Syscall(Box::new(e)));
    }
    out
}

/// CPU time this thread has run, from the scheduler (`/proc/thread-self/schedstat`, in ns):
/// the build machine is shared, so wall time would measure the neighbours too.
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// Runs `f` `iters` times and returns the CPU time it took.
fn cpu_timed(iters: u64, mut f: impl FnMut() -> usize) -> Duration {
    let start = cpu_ns();
    for _ in 0..iters {
        black_box(f());
    }
    Duration::from_nanos(cpu_ns().saturating_sub(start))
}

fn bench(c: &mut Criterion) {
    let Some(root) = corpus_root(env!("CARGO_MANIFEST_DIR")) else {
        eprintln!("skipped: the shared corpus was not found (set HARRIER_CORPUS)");
        return;
    };
    let rules_dir = root.join("runtime-rules/falco-rules/rules");
    let default = vec![rules_dir.join("falco_rules.yaml")];
    let all = vec![
        rules_dir.join("falco_rules.yaml"),
        rules_dir.join("falco-incubating_rules.yaml"),
        rules_dir.join("falco-sandbox_rules.yaml"),
    ];
    let events = events(100_000);
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(events.len() as u64));
    for (name, files) in [
        ("syscall/default-rules", &default),
        ("syscall/all-rules", &all),
    ] {
        let set = rules::load_files(files);
        let engine = Engine::new(&set);
        eprintln!(
            "{name}: {} rules enabled; {} matches over the mix",
            engine.rules().len(),
            events
                .iter()
                .map(|e| engine.count_matches(e))
                .sum::<usize>()
        );
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                cpu_timed(iters, || {
                    let mut n = 0;
                    for e in &events {
                        n += engine.count_matches(black_box(e));
                    }
                    n
                })
            })
        });
    }
    // k8saudit rules over the recorded Falco traces, repeated.
    let k8s_rules =
        vec![root.join(
            "runtime-rules/falco-k8saudit-rules/plugins/k8saudit/rules/k8s_audit_rules.yaml",
        )];
    let set = rules::load_files(&k8s_rules);
    let engine = Engine::new(&set);
    let mut audit_events: Vec<Event> = Vec::new();
    let traces = root.join("audit-logs/falco-k8s-audit-traces/test/trace_files/k8s_audit");
    if let Ok(dir) = std::fs::read_dir(&traces) {
        for entry in dir.flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                let (evs, _): (Vec<AuditEvent>, _) = audit::decode(&text);
                audit_events.extend(evs.into_iter().map(|e| Event::K8sAudit(Box::new(e))));
            }
        }
    }
    // Repeated, so one iteration outlasts the scheduler tick that CPU time is counted in.
    let audit_events: Vec<Event> = (0..100)
        .flat_map(|_| audit_events.iter().cloned())
        .collect();
    group.throughput(Throughput::Elements(audit_events.len() as u64));
    group.bench_function("k8s_audit/k8saudit-rules", |b| {
        b.iter_custom(|iters| {
            cpu_timed(iters, || {
                let mut n = 0;
                for e in &audit_events {
                    n += engine.count_matches(black_box(e));
                }
                n
            })
        })
    });
    group.finish();
    c.bench_function("load/all-falco-rules", |b| {
        b.iter(|| rules::load_files(black_box(&all)).rules.len())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
