//! The resource monitor's cost: one sweep over 100 containers in cgroup trees built in a
//! temporary directory (v2 with containerd's systemd layout; v1 with docker's cgroupfs layout),
//! per container; the TCP-table summary of a namespace with 200 sockets; and the detector's
//! cost per sample on a warmed-up workload (window 60).
//!
//! The trees are written before measuring; a sweep re-walks and re-reads them as it would
//! /sys/fs/cgroup (tmpfs or the temp dir's filesystem is page-cached, as cgroupfs is in memory,
//! though cgroupfs builds its text on each read).
//!
//! Run: `cargo bench -p harrier-sensor --bench resources`.
#![allow(clippy::expect_used)] // the bench's own fixtures: failing to write them is a failed run

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use harrier_sensor::resources::detect::Observation;
use harrier_sensor::resources::{Detector, DetectorConfig, ResourceConfig, ResourceMonitor, net};

const CONTAINERS: usize = 100;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).expect("create dir");
    }
    std::fs::write(p, text).expect("write file");
}

fn id(i: usize) -> String {
    format!("{i:064x}")
}

fn v2_tree(root: &Path) {
    write(root, "cgroup.controllers", "cpuset cpu io memory pids\n");
    for i in 0..CONTAINERS {
        let uid = format!("{:08x}_25d3_4b6b_9c49_0bd5a8a0f3f1", i / 2);
        let c = format!(
            "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{uid}.slice/cri-containerd-{}.scope",
            id(i)
        );
        write(
            root,
            &format!("{c}/cpu.stat"),
            &format!(
                "usage_usec {}\nuser_usec 1\nsystem_usec 1\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n",
                i * 1000
            ),
        );
        write(root, &format!("{c}/cpu.max"), "50000 100000\n");
        write(root, &format!("{c}/memory.current"), "104857600\n");
        write(root, &format!("{c}/memory.max"), "268435456\n");
        write(
            root,
            &format!("{c}/memory.stat"),
            "anon 50000000\nfile 54857600\nkernel 1000\nactive_file 10\ninactive_file 4857600\n",
        );
        write(root, &format!("{c}/cgroup.procs"), "");
    }
}

fn v1_tree(root: &Path) {
    write(root, "cpu,cpuacct/cpuacct.usage", "1\n");
    write(root, "cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
    write(root, "memory/memory.usage_in_bytes", "1\n");
    for i in 0..CONTAINERS {
        let d = format!("docker/{}", id(i));
        write(
            root,
            &format!("cpu,cpuacct/{d}/cpuacct.usage"),
            "3000000000\n",
        );
        write(root, &format!("cpu,cpuacct/{d}/cpu.cfs_quota_us"), "-1\n");
        write(
            root,
            &format!("cpu,cpuacct/{d}/cpu.cfs_period_us"),
            "100000\n",
        );
        write(
            root,
            &format!("cpu,cpuacct/{d}/cpu.stat"),
            "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n",
        );
        write(root, &format!("cpu,cpuacct/{d}/cgroup.procs"), "");
        write(
            root,
            &format!("memory/{d}/memory.usage_in_bytes"),
            "2097152\n",
        );
        write(
            root,
            &format!("memory/{d}/memory.limit_in_bytes"),
            "9223372036854771712\n",
        );
        write(
            root,
            &format!("memory/{d}/memory.stat"),
            "cache 0\nrss 2097152\ntotal_inactive_file 1048576\n",
        );
        write(root, &format!("memory/{d}/cgroup.procs"), "");
    }
}

fn sweeps(c: &mut Criterion) {
    let mut g = c.benchmark_group("resources_sweep");
    g.throughput(Throughput::Elements(CONTAINERS as u64));
    for (name, build) in [("v2", v2_tree as fn(&Path)), ("v1", v1_tree)] {
        let dir = tempfile::tempdir().expect("temp dir");
        build(dir.path());
        let mut m = ResourceMonitor::new(ResourceConfig {
            cgroup_root: dir.path().to_path_buf(),
            metadata_sources: Vec::new(),
            connections: false,
            ..ResourceConfig::default()
        })
        .expect("cgroups found");
        let mut t = 0u64;
        g.bench_function(format!("{name}_100_containers"), |b| {
            b.iter(|| {
                t += 1;
                let r = m.sample_at(Duration::from_secs(t), t as i64);
                assert_eq!(r.samples.len(), CONTAINERS);
                black_box(r)
            })
        });
    }
    g.finish();
}

fn tcp_table() -> String {
    let mut s = String::from(
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n",
    );
    for i in 0..200u32 {
        let st = match i % 4 {
            0 => "0A",
            1 | 2 => "01",
            _ => "06",
        };
        s.push_str(&format!(
            "{i:4}: 0A00000A:{:04X} {:08X}:0D05 {st} 00000000:00000000 00:00000000 00000000  1000        0 {} 1 0000000000000000 20 4 30 10 -1\n",
            40000 + i,
            0x5DB8_D800u32 + (i % 7),
            30000 + i
        ));
    }
    s
}

fn connections(c: &mut Criterion) {
    let table = tcp_table();
    let mut g = c.benchmark_group("resources_net");
    g.throughput(Throughput::Elements(200));
    g.bench_function("summarise_200_sockets", |b| {
        b.iter(|| black_box(net::summarise([table.as_str()], 16)))
    });
    g.finish();
}

fn detector(c: &mut Criterion) {
    let mut d = Detector::new(DetectorConfig::default());
    let step = Duration::from_secs(10);
    let obs = |k: u32, x: f64| Observation {
        container_id: "a",
        workload: "k8s:shop/web/web",
        at: step * (k + 1),
        since: step * k,
        time_ns: 0,
        cpu_cores: Some(x),
        cpu_limit_cores: Some(1.0),
        memory_bytes: Some(100 << 20),
        memory_limit_bytes: Some(1 << 30),
        new_container: false,
    };
    for k in 0..120 {
        d.observe(&obs(k, 0.02 + 0.001 * f64::from(k % 5)));
    }
    let mut k = 120u32;
    let mut g = c.benchmark_group("resources_detector");
    g.throughput(Throughput::Elements(1));
    g.bench_function("observe_one_sample", |b| {
        b.iter(|| {
            k += 1;
            black_box(d.observe(&obs(k, 0.02 + 0.001 * f64::from(k % 5))))
        })
    });
    g.finish();
}

criterion_group!(benches, sweeps, connections, detector);
criterion_main!(benches);
