//! The eBPF collector against the running kernel: every event of a burst arrives and is
//! counted, the in-kernel filter drops the sensor's own process, and the syscall mask is
//! honoured. Needs root and BPF; skipped otherwise (failing under HARRIER_REQUIRE_ALL=1).
#![cfg(feature = "ebpf")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use harrier_core::testing::{is_root, skip};
use harrier_sensor::event::{EventType, Syscall};
use harrier_sensor::{Mode, Sensor, SensorConfig, SensorEvent, Sink};

fn can_load() -> Option<()> {
    if !is_root() {
        return skip("the eBPF tests need root");
    }
    if !Path::new("/sys/kernel/btf/vmlinux").exists() {
        return skip("the kernel has no BTF");
    }
    Some(())
}

struct Collect(Vec<SensorEvent>);

impl Sink for Collect {
    type Error = std::convert::Infallible;
    fn event(&mut self, ev: &SensorEvent) -> Result<(), Self::Error> {
        self.0.push(ev.clone());
        Ok(())
    }
}

fn sensor(syscalls: Vec<Syscall>) -> Sensor {
    let mut cfg = SensorConfig {
        mode: Mode::Ebpf,
        report_existing: false,
        // Deep enough that a debug build never drops the bursts these tests count.
        queue_capacity: std::num::NonZeroUsize::new(1 << 16).unwrap(),
        ..SensorConfig::default()
    };
    cfg.ebpf.syscalls = syscalls;
    // The load is this test's own children.
    cfg.enrich.keep_own_children = true;
    Sensor::start(cfg).expect("the eBPF collector starts")
}

#[test]
fn a_burst_of_opens_arrives_whole_and_the_sensor_itself_is_filtered() {
    let Some(()) = can_load() else { return };
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("harrier-burst-marker");
    std::fs::write(&marker, "x").unwrap();
    let mut s = sensor(vec![Syscall::Openat]);
    // 500 opens by a child process (reported), and 50 by this process (filtered in the kernel).
    let script = format!(
        "for i in $(seq 500); do : < {m}; done",
        m = marker.display()
    );
    let mut child = Command::new("bash").args(["-c", &script]).spawn().unwrap();
    for _ in 0..50 {
        std::fs::read(&marker).unwrap();
    }
    assert!(child.wait().unwrap().success());
    let mut sink = Collect(Vec::new());
    s.run(Some(Instant::now() + Duration::from_secs(2)), &mut sink)
        .unwrap();
    let me = std::process::id();
    let opens: Vec<&SensorEvent> = sink
        .0
        .iter()
        .filter(|e| {
            e.evt_type == EventType::Syscall(Syscall::Openat)
                && e.fd.as_ref().is_some_and(|f| Path::new(&f.name) == marker)
        })
        .collect();
    assert_eq!(
        opens.iter().filter(|e| e.proc.pid == child.id()).count(),
        500
    );
    assert!(opens.iter().all(|e| e.proc.pid != me));
    let stats = s.stats();
    assert_eq!(stats.kernel.lost, 0, "{stats:?}");
    assert_eq!(stats.queue_dropped, 0, "{stats:?}");
    assert!(stats.kernel.seen >= 500, "{stats:?}");
    assert!(stats.kernel.filtered >= 50, "{stats:?}");
    // The mask: only openat was asked for.
    assert!(
        sink.0.iter().all(
            |e| matches!(e.evt_type, EventType::Syscall(Syscall::Openat))
                || !matches!(e.evt_type, EventType::Syscall(_))
        ),
        "a syscall other than openat was reported"
    );
}

#[test]
fn fork_exec_exit_of_a_child_with_its_arguments_and_exit_status() {
    let Some(()) = can_load() else { return };
    let mut s = sensor(vec![]);
    let mut child = Command::new("sh")
        .args(["-c", "exit 7", "harrier-test-arg0"])
        .spawn()
        .unwrap();
    let pid = child.id();
    assert_eq!(child.wait().unwrap().code(), Some(7));
    let mut sink = Collect(Vec::new());
    s.run(Some(Instant::now() + Duration::from_secs(2)), &mut sink)
        .unwrap();
    let of_child: Vec<&SensorEvent> = sink.0.iter().filter(|e| e.proc.pid == pid).collect();
    let exec = of_child
        .iter()
        .find(|e| e.evt_type == EventType::Execve)
        .expect("exec of the child");
    assert_eq!(exec.proc.args, ["-c", "exit 7", "harrier-test-arg0"]);
    assert_eq!(exec.proc.ppid, std::process::id());
    let exit = of_child
        .iter()
        .find(|e| e.evt_type == EventType::Procexit)
        .expect("exit of the child");
    assert_eq!(
        exit.params.get("status"),
        Some(&harrier_sensor::event::Param::Int(7))
    );
}

/// Each record carries the process's start and controlling terminal, equal to what its
/// `/proc/<pid>/stat` says: a shell run by `script` on a pseudo-terminal has one (so Falco's
/// `proc.tty != 0` rules see it), and its start names it beyond pid reuse.
#[test]
fn start_time_and_terminal_match_proc_stat() {
    let Some(()) = can_load() else { return };
    if Command::new("script").arg("--version").output().is_err() {
        let _: Option<()> = skip("script (util-linux) is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let stat = dir.path().join("stat");
    let mut s = sensor(vec![Syscall::Openat]);
    // `cat` reads its own stat (the open the sensor sees) and writes it out.
    let inner = format!("cat /proc/self/stat > {}", stat.display());
    let status = Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let mut sink = Collect(Vec::new());
    s.run(Some(Instant::now() + Duration::from_secs(2)), &mut sink)
        .unwrap();
    let text = std::fs::read_to_string(&stat).unwrap();
    let seen = harrier_core::procfs::parse_stat(&text).unwrap();
    let pid: u32 = text.split_whitespace().next().unwrap().parse().unwrap();
    let open = sink
        .0
        .iter()
        .find(|e| e.proc.pid == pid && e.fd.as_ref().is_some_and(|f| f.name.ends_with("/stat")))
        .expect("cat's open of its stat");
    assert_ne!(seen.tty, 0, "script gives cat a terminal");
    assert_eq!(open.proc.tty, Some(seen.tty));
    let from_proc = harrier_core::procfs::ticks_to_unix_ns(seen.start_ticks);
    let from_kernel = open.proc.start_ns.expect("start time");
    // /proc counts in clock ticks (10 ms at 100 Hz); the two clocks are read apart.
    let apart = from_kernel.abs_diff(from_proc);
    assert!(
        apart < 25_000_000,
        "{from_kernel} vs {from_proc}: {apart} ns apart"
    );
    // The record's own time is after the start.
    assert!(open.time_ns >= from_kernel, "{open:?}");
}
