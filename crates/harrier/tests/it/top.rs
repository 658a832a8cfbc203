//! `harrier top` over cgroup trees built in a temporary directory (no root needed): samples
//! as JSON lines and tables, a container that starts and burns a core raising
//! `cpu_saturation`, written with --events as a runtime event that `harrier replay` alerts on.
//! The same monitor over real podman containers is tested in
//! crates/harrier-sensor/tests/resources.rs.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::Dir;

const ID: &str = "74c040c4e7d19bb459446c7b36810a7e1243c4e43d998bbca191402c9b4b0056";

fn v2_tree(dir: &Dir) -> String {
    dir.write("cg/cgroup.controllers", "cpu memory\n");
    let c = format!("cg/system.slice/docker-{ID}.scope");
    dir.write(&format!("{c}/cpu.stat"), "usage_usec 1000\n");
    dir.write(&format!("{c}/cpu.max"), "200000 100000\n");
    dir.write(&format!("{c}/memory.current"), "2097152\n");
    dir.write(&format!("{c}/memory.max"), "max\n");
    dir.path().join("cg").display().to_string()
}

#[test]
fn json_lines_and_table_of_a_cgroup_tree() {
    let dir = Dir::new();
    let root = v2_tree(&dir);
    let common = [
        "top",
        "--cgroup-root",
        &root,
        "--no-connections",
        "--interval",
        "0.2",
        "--duration",
        "0.5",
    ];
    let run = dir.run(&[&common[..], &["--format", "json"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 2, "{}", run.stdout);
    for l in &lines {
        assert_eq!(l["kind"], "sample");
        assert_eq!(l["container"]["full_id"], ID);
        assert_eq!(l["container"]["id"], &ID[..12]);
        assert_eq!(l["container"]["runtime"], "docker");
        assert_eq!(l["memory_bytes"], 2_097_152);
        assert_eq!(l["cpu_limit_cores"], 2.0);
        assert_eq!(l["workload"], format!("container:{ID}"));
    }
    // The counter did not move: zero cores from the second sample on.
    assert_eq!(lines[1]["cpu_cores"], 0.0);

    let run = dir.run(&[&common[..], &["--format", "table"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("1 containers"), "{}", run.stdout);
    assert!(run.stdout.contains(&ID[..12]), "{}", run.stdout);
    assert!(run.stdout.contains("2.0MiB"), "{}", run.stdout);

    let run = dir.run(&["top", "--cgroup-root", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no cgroup v1 or v2 hierarchy"),
        "{}",
        run.stderr
    );
    let run = dir.run(&["top", "--interval", "0"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--interval"), "{}", run.stderr);
}

#[test]
fn a_new_container_burning_a_core_raises_a_signal_that_replay_alerts_on() {
    let dir = Dir::new();
    dir.write("cg/cgroup.controllers", "cpu memory\n");
    let root = dir.path().join("cg");
    let events = dir.path().join("signals.jsonl");
    let mut child = dir
        .command(&[
            "top",
            "--cgroup-root",
            root.to_str().unwrap(),
            "--no-connections",
            "--format",
            "table",
            "--interval",
            "0.5",
            "--sustain",
            "1.5",
            "--duration",
            "20",
            "--events",
            events.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // The first sweep, with no container yet: what starts after it is a new container.
    loop {
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap();
        if line.ends_with("0 containers") {
            break;
        }
    }
    // A container appears and its CPU counter advances two core-seconds per second: at the
    // one-core reference that is saturation with room for this loop being descheduled for
    // part of an interval on a loaded machine.
    let c = root.join(format!(
        "kubepods/besteffort/pod3d0a7e3f-25d3-4b6b-9c49-0bd5a8a0f3f1/crio-{ID}"
    ));
    std::fs::create_dir_all(&c).unwrap();
    std::fs::write(c.join("memory.current"), "4194304\n").unwrap();
    let t0 = Instant::now();
    let mut signal_line = None;
    let mut seen = Vec::new();
    while t0.elapsed() < Duration::from_secs(15) {
        let usec = 2 * t0.elapsed().as_micros();
        // Replaced whole, as the kernel's files are read: never half-written.
        let tmp = root.join("cpu.stat.tmp");
        std::fs::write(&tmp, format!("usage_usec {usec}\n")).unwrap();
        std::fs::rename(&tmp, c.join("cpu.stat")).unwrap();
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(10)) {
            if line.starts_with("SIGNAL cpu_saturation") {
                signal_line = Some(line);
                break;
            }
            seen.push(line);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let line =
        signal_line.unwrap_or_else(|| panic!("no cpu_saturation signal in:\n{}", seen.join("\n")));
    assert!(line.contains(&ID[..12]), "{line}");
    assert!(line.contains("(prior)"), "{line}");

    let text = std::fs::read_to_string(&events).unwrap();
    let event: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(event["type"], "container_resource_signal");
    assert_eq!(event["container"]["full_id"], ID);
    assert_eq!(event["container"]["runtime"], "cri-o");
    assert_eq!(event["signal"]["name"], "cpu_saturation");
    assert_eq!(event["signal"]["baseline_source"], "prior");
    let cores = event["signal"]["cpu_cores"].as_f64().unwrap();
    assert!((1.5..2.5).contains(&cores), "{cores}");

    let run = dir.run(&[
        "replay",
        "--profiles",
        "crypto-mining",
        events.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let alert: Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(alert["rule"], "Harrier Sustained CPU Saturation");
    assert_eq!(alert["output_fields"]["container.id"], &ID[..12]);
}
